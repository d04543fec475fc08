-- int_accelerator_spec_matches must hold exactly the distinct non-null accelerator strings of the raw list table.
with listed as (
    select distinct accelerator from {{ source('raw', 'top500_entries') }}
    where accelerator is not null
),

matched as (
    select accelerator from {{ ref('int_accelerator_spec_matches') }}
)

(
    select accelerator, 'missing from matches' as problem from listed
    except
    select accelerator, 'missing from matches' from matched
)
union all
(
    select accelerator, 'not on any list' from matched
    except
    select accelerator, 'not on any list' from listed
)
