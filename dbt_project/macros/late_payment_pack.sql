{#- The creditor's late-payment pack (var `late_payment`, built by
    amicable.late_payment.late_payment_var from config/late_payment/): pack, legal_reference,
    reference_rate, margin_points, fixing_offset_days, compensation_currency,
    compensation_tiers ([below or none, amount], in order) and rates ([effective_from,
    rate_pct] of its reference rate, in date order). No defaults: a build without the var stops
    naming it (macro ops_config). -#}
{% macro late_payment_pack() -%}
    {{ return(ops_config('late_payment', [
        'pack', 'legal_reference', 'reference_rate', 'margin_points', 'fixing_offset_days',
        'compensation_currency', 'compensation_tiers', 'rates',
    ])) }}
{%- endmacro %}
