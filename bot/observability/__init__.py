"""Operations: logging set-up (`logs`), per-request traces (`trace`) and Prometheus metrics (`metrics`)."""
