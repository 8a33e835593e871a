"""The default email of a campaign type (Jinja; admins edit it per campaign type)."""

DEFAULT_SUBJECT = "{{ operacao }}: seu boleto vence em {{ primeiro_vencimento }}"

DEFAULT_BODY_TEXT = """Olá{% if nome %}, {{ nome }}{% endif %}!

Este é um lembrete do seu acordo com a {{ operacao }}. Os boletos abaixo vencem em breve:
{% for b in boletos %}
- Acordo {{ b.acordo }}, parcela {{ b.parcela }} de {{ b.total_parcelas }}
  Valor: {{ b.valor }}  Vencimento: {{ b.vencimento }}
  Linha digitável: {{ b.linha_digitavel }}
{%- if b.pix %}
  PIX copia e cola: {{ b.pix }}
{%- endif %}
{% endfor %}
Os boletos seguem em anexo, em PDF. Se já pagou, desconsidere esta mensagem.

{{ operacao }}
"""

DEFAULT_BODY_HTML = """<p>Olá{% if nome %}, {{ nome }}{% endif %}!</p>
<p>Este é um lembrete do seu acordo com a <strong>{{ operacao }}</strong>. Os boletos abaixo vencem em breve:</p>
{% for b in boletos %}
<table style="border-collapse:collapse;margin-bottom:16px" cellpadding="4">
  <tr><td>Acordo</td><td>{{ b.acordo }}</td></tr>
  <tr><td>Parcela</td><td>{{ b.parcela }} de {{ b.total_parcelas }}</td></tr>
  <tr><td>Valor</td><td><strong>{{ b.valor }}</strong></td></tr>
  <tr><td>Vencimento</td><td><strong>{{ b.vencimento }}</strong></td></tr>
  <tr><td>Linha digitável</td><td style="font-family:monospace">{{ b.linha_digitavel }}</td></tr>
  {% if b.pix %}<tr><td>PIX copia e cola</td><td style="font-family:monospace;word-break:break-all">{{ b.pix }}</td></tr>{% endif %}
</table>
{% endfor %}
<p>Os boletos seguem em anexo, em PDF. Se já pagou, desconsidere esta mensagem.</p>
<p>{{ operacao }}</p>
"""
