-- The first whole month at or above a threshold is the exact crossing rounded up, and the gap table agrees.
select milestones.*
from {{ ref('demand_gap_milestones') }} as milestones
where
    milestones.first_month_at_or_above is not null
    and (
        milestones.first_month_at_or_above <> ceil(milestones.crossing_months_exact - 1e-9)
        or not exists (
            select 1
            from {{ ref('demand_supply_gap') }} as gap
            where
                gap.demand_scenario = milestones.demand_scenario
                and gap.supply_scenario = milestones.supply_scenario
                and gap.months_ahead = milestones.first_month_at_or_above
                and gap.gap_ratio >= milestones.gap_threshold
        )
    )
