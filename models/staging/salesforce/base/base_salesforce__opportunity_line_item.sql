{{ parse_raw_source(
    'salesforce',
    'opportunity_line_item',
    columns={
        'id': 'id',
        'opportunity_id': 'id',
        'product_code': 'text',
        'quantity': 'decimal',
        'unit_price': 'decimal',
        'total_price': 'decimal',
    },
    not_negative=['quantity', 'unit_price']
) }}
