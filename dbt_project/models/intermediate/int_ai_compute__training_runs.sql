-- Training runs in each named selection a demand-growth fit uses; a run appears once per selection it is in.
-- Selections (also described in the YAML): openai_2012_2018, notable_before_2010, notable_2010_on,
-- frontier_2010_on. Each fit must say which models it rests on, because the rate depends on the selection.
with openai as (
    select * from {{ ref('stg_openai__ai_and_compute') }}
),

notable as (
    select * from {{ ref('stg_epoch__notable_ai_models') }}
    where
        training_compute_flop > 0
        and publication_date is not null
),

selected as (
    select
        'openai_2012_2018' as selection,
        'openai_ai_and_compute' as data_source,
        model,
        publication_date,
        training_compute_flop,
        false as is_frontier_model
    from openai
    where
        not is_reference_point
        and publication_date between date '2012-01-01' and date '2018-12-31'

    union all
    select
        'notable_before_2010', 'epoch_notable_ai_models', model, publication_date, training_compute_flop,
        is_frontier_model
    from notable
    where publication_date < date '2010-01-01'

    union all
    select
        'notable_2010_on', 'epoch_notable_ai_models', model, publication_date, training_compute_flop,
        is_frontier_model
    from notable
    where publication_date >= date '2010-01-01'

    union all
    select
        'frontier_2010_on', 'epoch_notable_ai_models', model, publication_date, training_compute_flop,
        is_frontier_model
    from notable
    where
        publication_date >= date '2010-01-01'
        and is_frontier_model
)

select
    selection,
    data_source,
    model,
    publication_date,
    -- decimal year: the fits' x
    extract(year from publication_date)
    + (extract(doy from publication_date) - 1) / 365.25 as publication_year_fraction,
    training_compute_flop,
    is_frontier_model
from selected
