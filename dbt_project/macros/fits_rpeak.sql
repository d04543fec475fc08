{#- A GPU count fits the entry's Rpeak when Rpeak per GPU lies between half the chip's FP64 vector peak and 1.2x
    the larger of its FP64 peak and twice its vector peak (FP64 matrix units run at twice the vector rate), as
    int_announced__listed_gpu_systems checks it. Needs rpeak_tflops, named_fp64_vector_tflops and
    named_fp64_peak_tflops in scope; false when the count or the figures are missing. -#}
{% macro fits_rpeak(gpus) -%}
coalesce(
    {{ gpus }} >= 1
    and rpeak_tflops / {{ gpus }} >= 0.5 * coalesce(named_fp64_vector_tflops, named_fp64_peak_tflops)
    and rpeak_tflops / {{ gpus }} <= 1.2 * greatest(named_fp64_peak_tflops, 2 * named_fp64_vector_tflops),
    false
)
{%- endmacro %}
