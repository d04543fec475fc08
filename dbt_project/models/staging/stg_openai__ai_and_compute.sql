-- OpenAI "AI and Compute" (2018) points; the 5 low-compute reference points are flagged so trend fits can
-- use the 15 headline points (AlexNet .. AlphaZero) the post's 3.4-month doubling is based on.
with source as (
    select * from {{ source('raw', 'openai_ai_and_compute') }}
),

renamed as (
    select
        result as model,
        publication_date,
        petaflop_s_days,
        training_compute_flop,
        -- the five low-compute reference points the post plots beside the headline runs
        result in ('Word2vec', 'VAE', 'GANs', 'Adam Optimizer', 'Attention is all you need') as is_reference_point,
        source_file,
        loaded_at
    from source
)

select * from renamed
