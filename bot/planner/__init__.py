"""Campaign planner (issue 12): the best creator mix for a budget, as a 0/1 integer programme."""
