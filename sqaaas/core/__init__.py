"""The kernel everything stands on: outcomes, the result model, the catalogue of criteria
(data from criteria/), scoring, the probe registry and the engine that runs probes on any
subject. It imports no probe, container, network or web module."""
