"""Complex matters (疑难·监督办): the three meetings, leader ownership and 1+X supervision."""
