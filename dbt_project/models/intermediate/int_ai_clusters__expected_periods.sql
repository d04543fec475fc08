-- Each Epoch GPU-cluster record that a country's outlook counts, existing or planned: when it arrives (the
-- recorded first operational date, or the end of the period a planned one is expected in), when it leaves, and
-- its certainty tier (see the YAML).
with periods as (

    select * from {{ ref('int_ai_clusters__operational_periods') }}

),

notes as (

    select
        cluster_id,
        first_operational_date_note as note,
        -- "Planned 2028", "Planned H2 2026", "Planned Q1 2025", "Planned 2029-02", "2025-10"
        regexp_matches(first_operational_date_note, '^\s*(Planned\s+)?((H[12]|Q[1-4])\s+)?\d{4}(-\d{2})?\s*$')
            as is_dated_note,
        nullif(regexp_extract(first_operational_date_note, '(\d{4})(-\d{2})?\s*$', 1), '')::integer as note_year,
        nullif(regexp_extract(first_operational_date_note, '\d{4}-(\d{2})\s*$', 1), '')::integer as note_month,
        nullif(regexp_extract(first_operational_date_note, '(H[12]|Q[1-4])\s+\d{4}', 1), '') as note_part
    from {{ ref('stg_epoch__gpu_clusters') }}

),

dated as (

    select
        periods.*,
        notes.note,
        case
            when periods.status in ('Existing', 'Decommissioned') then 'existing'
            when periods.certainty = 'Confirmed' then 'confirmed'
            when periods.certainty = 'Likely' then 'likely'
            when periods.certainty = 'Unlikely' then 'speculative'
        end as tier,
        case
            when periods.status <> 'Planned' or periods.first_operational_date is not null
                then periods.first_operational_date
            when notes.is_dated_note
                -- the last day of the period named: a plan for 2028 is expected in service by the end of 2028
                then last_day(
                    make_date(
                        notes.note_year,
                        coalesce(
                            notes.note_month,
                            case notes.note_part
                                when 'Q1' then 3 when 'Q2' then 6 when 'H1' then 6 when 'Q3' then 9
                            end,
                            12
                        ),
                        1
                    )
                )
        end as arrives_on,
        case
            when periods.status <> 'Planned' or periods.first_operational_date is not null
                then case when periods.first_operational_date is not null then 'recorded' end
            when notes.is_dated_note
                then case
                    when notes.note_month is not null then 'planned_month'
                    when notes.note_part like 'Q%' then 'planned_quarter'
                    when notes.note_part like 'H%' then 'planned_half'
                    else 'planned_year'
                end
        end as arrival_basis
    from periods
    inner join notes using (cluster_id)

),

-- the record a phase is superseded by, when its name is unique (as in int_ai_clusters__operational_periods), with
-- its arrival: a planned phase replaces the running one the day it is expected
successors as (

    select cluster_name, any_value(arrives_on) as arrives_on
    from dated
    group by cluster_name
    having count(*) = 1

)

select
    dated.cluster_id,
    dated.cluster_name,
    dated.country,
    dated.status,
    dated.certainty,
    dated.tier,
    dated.note as first_operational_date_note,
    dated.arrives_on,
    dated.arrival_basis,
    least(dated.decommissioned_date, successors.arrives_on) as leaves_on,
    matches.top500_system_key,
    dated.h100_equivalents as h100e,
    costs.power_mw,
    costs.power_basis,
    costs.hardware_cost_usd,
    costs.hardware_cost_basis
from dated
inner join {{ ref('int_ai_clusters__power_and_cost') }} as costs using (cluster_id)
inner join {{ ref('int_ai_clusters__top500_matches') }} as matches using (cluster_id)
left join successors on successors.cluster_name = dated.superseded_by
where
    dated.country is not null
    and not dated.is_possible_duplicate
    and not dated.is_excluded
    -- running clusters as national_compute counts them; planned ones whether or not they carry a date
    and (dated.is_in_supply or dated.status = 'Planned')
