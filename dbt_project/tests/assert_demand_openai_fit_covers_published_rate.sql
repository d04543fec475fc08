-- OpenAI's own points must give back its published 3.4-month doubling within the fit's 95% interval.
select selection, n, doubling_time_months, doubling_time_months_lower, doubling_time_months_upper
from {{ ref('demand_growth_fits') }}
where
    estimate_kind = 'fitted'
    and selection = 'openai_2012_2018'
    and not (n = 15 and 3.4 between doubling_time_months_lower and doubling_time_months_upper)
union all
select 'openai_2012_2018 missing', null, null, null, null
where not exists (
    select 1 from {{ ref('demand_growth_fits') }}
    where estimate_kind = 'fitted' and selection = 'openai_2012_2018'
)
