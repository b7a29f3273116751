"""End-to-end tooling: run a real Home Assistant, drive it through its HTTP and WebSocket APIs."""
