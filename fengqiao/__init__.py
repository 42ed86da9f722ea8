"""枫桥 (Fengqiao) — multi-channel dispute resolution platform."""
