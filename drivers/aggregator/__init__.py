"""An aggregator acquirer (聚合支付) terminal API: the Shouqianba "Upay" shape."""
