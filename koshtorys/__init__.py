"""koshtorys: costing, budget execution and funding plans for Ukrainian hromadas."""

__version__ = "0.1.0"
