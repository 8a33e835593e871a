"""Development and demo tools: the local stack (`make run`) and the mail catcher."""
