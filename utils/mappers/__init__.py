# One mapper module per QuickBooks entity: plain dict -> dict functions, no ORM.
