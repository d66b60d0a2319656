{#- The feature columns of the case scores, in the order of their marts (fct_case_score_features,
    fct_promise_score_features), each `<alias>.<column>,` from int_case_score_features (their
    one home): debtor_id, the features, and the baseline debtor_kept_share. -#}
{% macro score_feature_columns(alias) -%}
    {%- for column in [
        'debtor_id', 'segment', 'strategy', 'stage', 'days_in_stage', 'days_since_opened',
        'invoices_due_before', 'share_paid_by_due_date', 'avg_days_late', 'open_amount_rc',
        'days_past_due', 'ageing_bucket', 'contacts_last_30_days',
        'right_party_contacts_last_30_days', 'promises_kept', 'promises_broken',
        'has_running_promise', 'has_open_dispute', 'debtor_kept_share'
    ] %}
        {{ alias }}.{{ column }},
    {%- endfor %}
{%- endmacro %}
