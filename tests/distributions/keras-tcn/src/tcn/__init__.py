from tcn.tcn import TCN

__all__ = ["TCN"]
