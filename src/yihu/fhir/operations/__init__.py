"""Write interactions and operations: what a posted resource asks the domain to do."""
