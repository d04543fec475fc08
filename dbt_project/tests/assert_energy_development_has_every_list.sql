-- Every list loaded in raw with TOP500 entries reporting power (and Rmax), or with an official Green500 list,
-- has an energy_development row counting them all, and no other list has one. Decided from the raw lists,
-- not from the model under test.
with power as (
    select list_date, count(*) as power_reporting_entries
    from {{ source('raw', 'top500_entries') }}
    where power_kw > 0 and rmax_tflops > 0
    group by list_date
),

green as (
    select list_date, count(*) as green500_entries
    from {{ source('raw', 'green500_entries') }}
    where energy_efficiency_gflops_per_w is not null
    group by list_date
),

expected as (
    select list_date, power.power_reporting_entries, green.green500_entries
    from power
    full outer join green using (list_date)
)

select
    list_date,
    expected.power_reporting_entries as expected_power_entries,
    energy.power_reporting_entries as mart_power_entries,
    expected.green500_entries as expected_green500_entries,
    energy.green500_entries as mart_green500_entries
from expected
full outer join {{ ref('energy_development') }} as energy using (list_date)
where
    energy.power_reporting_entries is distinct from expected.power_reporting_entries
    or energy.green500_entries is distinct from expected.green500_entries
