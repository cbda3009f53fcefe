"""`asr-registry doctor`: whether this machine can run NeMo ASR models, and what to fix."""
