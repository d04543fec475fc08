-- The Korean study's comparison: 2.98x vs 2x per 3.4 months is (2.98/2)^20 = ~2,905x after 20 periods
-- (68 months) and ~1,140x at 60 months. Fails when either mart loses the row or the figures drift.
with gap as (
    select months_ahead, gap_ratio
    from {{ ref('demand_supply_gap') }}
    where
        demand_scenario = 'kr_study_roberta_bert'
        and supply_scenario = 'openai_2018'
        and months_ahead in (60, 68)
),

forecast as (
    select months_ahead, ratio_to_baseline
    from {{ ref('demand_forecast') }}
    where
        scenario = 'kr_study_roberta_bert'
        and baseline_scenario = 'openai_2018'
        and months_ahead in (60, 68)
),

expected as (
    select * from (values (60, 1100.0, 1180.0), (68, 2850.0, 2950.0)) as e (months_ahead, low, high)
)

select expected.months_ahead, gap.gap_ratio, forecast.ratio_to_baseline
from expected
left join gap using (months_ahead)
left join forecast using (months_ahead)
where
    gap.gap_ratio is null
    or forecast.ratio_to_baseline is null
    or gap.gap_ratio not between expected.low and expected.high
    or abs(forecast.ratio_to_baseline - gap.gap_ratio) > 1e-6 * gap.gap_ratio
