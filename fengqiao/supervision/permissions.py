OVERSEE = "supervision.oversee"
