"""Shadows: the real architectures of catalog models with random weights.

What does not depend on trained weights (parameter count, memory at each batch size and
audio length, encoder throughput) is measured on a shadow. `specs` reads architectures.toml
(no torch), `builder` builds and saves shadows, `calibration` makes transducer shadows emit
tokens at a realistic rate, `memory` measures and models peak memory.
"""
