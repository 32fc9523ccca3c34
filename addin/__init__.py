"""The Excel ribbon add-in: button macros and the add-in builder."""
