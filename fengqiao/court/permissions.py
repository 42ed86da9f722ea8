"""The court app's permission codes."""

REVIEW_CONFIRMATION = "court.review_confirmation"  # 受理、不予受理、延长审查期限 (judge, clerk)
RULE_CONFIRMATION = "court.rule_confirmation"  # 审查筛查提示、裁定 (judge)
