{#- The date a payment or credit note moves its invoice's balance: its own date, or the
    invoice's issue date when earlier (the invoice does not exist before it). Used by
    fct_ar_balance_periods (the open-amount rule) and fct_ar_movements (the waterfall). -#}
{% macro invoice_movement_date(document_date, invoice_issue_date) -%}
    case
        when {{ document_date }} > {{ invoice_issue_date }} then {{ document_date }}
        else {{ invoice_issue_date }}
    end
{%- endmacro %}
