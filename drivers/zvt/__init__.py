"""ZVT card terminals: the APDU codec (apdu), TCP and serial transports (transport), the ECR
client (driver) and a terminal emulator (emulator)."""
