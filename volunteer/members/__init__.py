"""在职党员: registration (报到), approval (亮身份) and the expertise pool (党员专家库)."""
