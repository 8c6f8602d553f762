"""Facts: values computed once per assessment from the repository and shared by probes."""
