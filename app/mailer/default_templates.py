"""The default email of a campaign type (Jinja; admins edit it per campaign type).

The HTML is written with a <style> block: app/mailer/templates.py inlines it (css-inline) after rendering,
because Gmail and Outlook drop or ignore most <style> rules. Layout is tables, 600 px wide at most, fluid
below that (phones). Images are inline parts (cid:): the operation's logo and each boleto's PIX QR code.
"""

DEFAULT_SUBJECT = (
    "{{ operacao }}: {% if quantidade_boletos == 1 %}seu boleto vence em {{ vencimentos }}"
    "{% else %}{{ quantidade_boletos }} boletos vencem em {{ vencimentos }}{% endif %}"
)

DEFAULT_BODY_TEXT = """\
Olá{% if nome %}, {{ nome }}{% endif %}!

{% if quantidade_boletos == 1 -%}
Este é um lembrete da {{ operacao }}: o boleto do seu acordo vence em {{ vencimentos }}.
{%- else -%}
Este é um lembrete da {{ operacao }}: {{ quantidade_boletos }} boletos do seu acordo vencem em {{ vencimentos }}.
{%- endif %}
{% for b in boletos %}
Boleto {{ loop.index }} de {{ quantidade_boletos }}: acordo {{ b.acordo }}{% if b.parcela %}, parcela {{ b.parcela }}{% if b.total_parcelas %} de {{ b.total_parcelas }}{% endif %}{% endif %}
Valor: {{ b.valor }}
Vencimento: {{ b.vencimento }}
Linha digitável: {{ b.linha_digitavel }}
{%- if b.pix %}
PIX copia e cola: {{ b.pix }}
{%- endif %}
{% endfor %}
{%- if quantidade_boletos == 1 %}
O boleto segue em anexo, em PDF.
{%- else %}
Os boletos seguem em anexo, em PDF.
{%- endif %} Se já pagou, desconsidere esta mensagem.
{% if marca.telefone or marca.site or marca.horario %}
Central de atendimento {{ operacao }}:
{%- if marca.telefone %} {{ marca.telefone }}{% endif %}
{%- if marca.site %} | {{ marca.site }}{% endif %}
{%- if marca.horario %} | {{ marca.horario }}{% endif %}
{% endif %}
--
{{ marca.razao_social or operacao }}{% if marca.cnpj %} | CNPJ {{ marca.cnpj }}{% endif %}
Mensagem enviada para {{ email }}. Nunca pedimos senhas ou dados do cartão por e-mail.
"""

DEFAULT_BODY_HTML = """\
<!DOCTYPE html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>{{ operacao }}</title>
<style>
  body { margin: 0; padding: 0; background-color: #f2f4f7; }
  .page { width: 100%; background-color: #f2f4f7; }
  .main { width: 100%; max-width: 600px; background-color: #ffffff; }
  .font, td, p { font-family: Arial, Helvetica, sans-serif; color: #1f2933; font-size: 16px; line-height: 24px; }
  .preheader { display: none; max-height: 0; overflow: hidden; mso-hide: all; font-size: 1px; line-height: 1px;
               color: #f2f4f7; opacity: 0; }
  .brandbar { padding: 20px 24px; }
  .brandname { font-size: 22px; font-weight: bold; color: #ffffff; }
  .content { padding: 24px; }
  .greeting { font-size: 20px; font-weight: bold; margin: 0 0 12px 0; }
  .card { border: 1px solid #d9dee5; border-radius: 8px; margin: 0 0 16px 0; }
  .cardbody { padding: 16px; }
  .label { font-size: 13px; color: #52606d; line-height: 18px; }
  .amount { font-size: 24px; font-weight: bold; line-height: 30px; }
  .due { font-size: 18px; font-weight: bold; line-height: 26px; }
  .code { font-family: 'Courier New', Courier, monospace; font-size: 15px; line-height: 22px;
          background-color: #f2f4f7; border: 1px dashed #9aa5b1; padding: 10px; word-break: break-all; }
  .pixcode { font-family: 'Courier New', Courier, monospace; font-size: 12px; line-height: 18px;
             background-color: #f2f4f7; border: 1px dashed #9aa5b1; padding: 8px; word-break: break-all; }
  .notice { background-color: #fff8e1; padding: 12px 16px; border-radius: 6px; font-size: 15px; }
  .footer { padding: 16px 24px 24px 24px; font-size: 12px; line-height: 18px; color: #52606d; }
  a { color: {{ marca.cor }}; }
</style>
</head>
<body>
<div class="preheader">{% if quantidade_boletos == 1 %}Seu boleto de {{ valor_total }} vence em {{ vencimentos }}.{% else %}{{ quantidade_boletos }} boletos, {{ valor_total }} no total, vencem em {{ vencimentos }}.{% endif %} Linha digitável e PIX dentro.</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" border="0">
<tr><td align="center" style="padding: 16px 8px;">
<table role="presentation" class="main" width="600" cellpadding="0" cellspacing="0" border="0">
  <tr><td class="brandbar" bgcolor="{{ marca.cor }}" style="background-color: {{ marca.cor }};">
    {% if marca.logo_cid %}<img src="cid:{{ marca.logo_cid }}" alt="{{ operacao }}" height="40" style="display: block; height: 40px; max-width: 200px; border: 0;">
    {% else %}<span class="brandname">{{ operacao }}</span>{% endif %}
  </td></tr>
  <tr><td class="content">
    <p class="greeting">Olá{% if nome %}, {{ nome }}{% endif %}!</p>
    <p>{% if quantidade_boletos == 1 %}Este é um lembrete da {{ operacao }}: o boleto do seu acordo vence em <strong>{{ vencimentos }}</strong>.{% else %}Este é um lembrete da {{ operacao }}: {{ quantidade_boletos }} boletos do seu acordo vencem em <strong>{{ vencimentos }}</strong>.{% endif %}</p>
    {% for b in boletos %}
    <table role="presentation" class="card" width="100%" cellpadding="0" cellspacing="0" border="0">
      <tr><td class="cardbody">
        <p class="label" style="margin: 0;">Boleto {{ loop.index }} de {{ quantidade_boletos }} · Acordo {{ b.acordo }}{% if b.parcela %} · Parcela {{ b.parcela }}{% if b.total_parcelas %} de {{ b.total_parcelas }}{% endif %}{% endif %}</p>
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
          <tr>
            <td width="50%" valign="top" style="padding: 8px 0;"><span class="label">Valor</span><br><span class="amount">{{ b.valor }}</span></td>
            <td width="50%" valign="top" style="padding: 8px 0;"><span class="label">Vencimento</span><br><span class="due">{{ b.vencimento }}</span></td>
          </tr>
        </table>
        <p class="label" style="margin: 8px 0 4px 0;">Linha digitável (copie e cole no app do banco)</p>
        <div class="code">{{ b.linha_digitavel }}</div>
        {% if b.pix %}
        <p class="label" style="margin: 16px 0 4px 0;">Pague com PIX: aponte a câmera do app do banco</p>
        {% if b.pix_qr_cid %}<img src="cid:{{ b.pix_qr_cid }}" alt="QR Code PIX" width="160" height="160" style="display: block; width: 160px; height: 160px; border: 0;">{% endif %}
        <p class="label" style="margin: 8px 0 4px 0;">PIX copia e cola</p>
        <div class="pixcode">{{ b.pix }}</div>
        {% endif %}
      </td></tr>
    </table>
    {% endfor %}
    <p>{% if quantidade_boletos == 1 %}O boleto segue em anexo, em PDF.{% else %}Os boletos seguem em anexo, em PDF.{% endif %}</p>
    <p class="notice">Se já pagou, desconsidere esta mensagem.</p>
    {% if marca.telefone or marca.site or marca.horario %}
    <p><strong>Central de atendimento {{ operacao }}</strong><br>
    {% if marca.telefone %}{{ marca.telefone }}{% endif %}{% if marca.site %}{% if marca.telefone %} · {% endif %}<a href="{{ marca.site_url }}">{{ marca.site }}</a>{% endif %}{% if marca.horario %}<br>{{ marca.horario }}{% endif %}</p>
    {% endif %}
  </td></tr>
  <tr><td class="footer">
    {{ marca.razao_social or operacao }}{% if marca.cnpj %} · CNPJ {{ marca.cnpj }}{% endif %}<br>
    Mensagem enviada para {{ email }}. Nunca pedimos senhas ou dados do cartão por e-mail.
  </td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
