"""The iot_ml learning core: pure Python + numpy, no Home Assistant imports.

Typed inputs in, typed results out; state serialises to JSON plus plain numpy arrays.
"""
