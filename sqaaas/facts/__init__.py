"""Facts: values computed once per assessment from the repository and shared by probes.

Probe modules never import each other: what several probes share lives here, with the
evidence (or the verdict) they all give from it, so that they say the same thing.
"""
