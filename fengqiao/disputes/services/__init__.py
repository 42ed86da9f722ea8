"""Every write to a case, one module per domain: ``intake`` (登记), ``dispatch`` (研判, 交办,
受理, 退回, 上报), ``handling`` (调解, 中止, 延期), ``outcomes`` (协议 … 归档), on the machinery of
``transitions``; ``errors`` holds what they raise. Callers import from the module they use."""
