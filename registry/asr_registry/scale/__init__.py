"""Past one machine: the engine on a Ray cluster (`executor`), sharded and resumable.

Nothing here is imported by `import asr_registry` or by the catalog commands; Ray itself
is imported only when a run starts (`pip install 'asr-registry[scale]'`).
"""
