// Talkback share menu, loaded by embed.js when a reader first reaches for a share button.
// Get link (copy, short link, QR code), X and Other apps (this device's share sheet and the
// site's networks), from the service's share API. Every network link is the service's
// counted redirect, so no network hears of the reader before the reader clicks it.
(() => {
'use strict';
const T = {
en: {copy: 'Copy link', done: 'Link copied to the clipboard.', keys: 'Press Ctrl+C (⌘C) to copy the selected link.', link: 'Link to this post', short: 'Short link', qr: 'QR code that opens this post', sheet: 'This device’s share sheet…'},
de: {copy: 'Link kopieren', done: 'Link in die Zwischenablage kopiert.', keys: 'Drücken Sie Strg+C (⌘C), um den markierten Link zu kopieren.', link: 'Link zu diesem Beitrag', short: 'Kurzlink', qr: 'QR-Code, der diesen Beitrag öffnet', sheet: 'Teilen-Menü dieses Geräts …'},
fr: {copy: 'Copier le lien', done: 'Lien copié dans le presse-papiers.', keys: 'Appuyez sur Ctrl+C (⌘C) pour copier le lien sélectionné.', link: 'Lien vers cet article', short: 'Lien court', qr: 'QR code qui ouvre cet article', sheet: 'Menu de partage de cet appareil…'},
ar: {copy: 'نسخ الرابط', done: 'تم نسخ الرابط إلى الحافظة.', keys: 'اضغط Ctrl+C (⌘C) لنسخ الرابط المحدد.', link: 'رابط هذا المنشور', short: 'رابط مختصر', qr: 'رمز QR يفتح هذا المنشور', sheet: 'قائمة المشاركة في هذا الجهاز…'}
};

window.talkbackShare = async ({h, call, lang, bar, say, wants, menuUrl}) => {
const t = T[lang] || T.en;
const data = await call('GET', menuUrl);
const targets = data.targets.filter((n) => wants(n.id));
const x = targets.find((n) => n.id === 'x');
const xLink = bar.querySelector('.tb-xl');
if (xLink && x) xLink.href = x.click_url;

// A sized popup where the network has one (as share.js does), else a new tab.
const open = (n, href) => {
const size = n.popup ? 'popup,width=' + n.popup.width + ',height=' + n.popup.height + ',left=' + Math.max(0, (screen.width - n.popup.width) / 2) + ',top=' + Math.max(0, (screen.height - n.popup.height) / 2) : '';
const opened = window.open(href, '_blank', size);
if (opened) opened.opener = null;
else location.href = href;
};

const status = h('span', {class: 'tb-st', role: 'status'});
const input = h('input', {type: 'url', readonly: true, value: data.url, 'aria-label': t.link, onfocus: (e) => e.target.select()});
const copy = async () => {
try {
await navigator.clipboard.writeText(data.url);
status.textContent = t.done;
} catch (e) {
input.select();
status.textContent = document.execCommand('copy') ? t.done : t.keys;
}
say(status.textContent);
};
const linkPanel = h('div', {class: 'tb-sp', hidden: true}, [
h('label', {}, [t.link, input]),
h('div', {class: 'tb-x'}, [h('button', {type: 'button', class: 'tb-pr', text: t.copy, onclick: copy}), status]),
h('p', {}, [t.short + ': ', h('a', {href: data.permalink, text: data.permalink})]),
data.qr_svg && h('img', {src: data.qr_svg, width: 116, height: 116, alt: t.qr})
]);

const share = {title: data.title, url: data.url};
const native = navigator.share && (!navigator.canShare || navigator.canShare(share)) && h('li', {}, [h('button', {type: 'button', text: t.sheet, onclick: () => navigator.share(share).catch(() => {})})]);
const otherPanel = h('ul', {class: 'tb-sp', hidden: true}, [native || '', ...targets.filter((n) => n !== x).map((n) => h('li', {class: n.mobile_only ? 'tb-mob' : null}, [
h('a', {href: n.click_url, target: '_blank', rel: 'noopener nofollow', 'aria-label': n.label, text: n.name, onclick: (e) => {
if (!n.popup) return;
e.preventDefault();
open(n, n.click_url);
}})
]))]);
bar.append(linkPanel, otherPanel);

const panels = {link: linkPanel, other: otherPanel};
return {
open(kind, button) {
if (kind === 'x') return x && open(x, x.click_url);
const panel = panels[kind];
const show = panel.hidden;
Object.values(panels).forEach((p) => {
p.hidden = true;
});
bar.querySelectorAll('[aria-expanded]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
panel.hidden = !show;
button.setAttribute('aria-expanded', String(show));
if (show && kind === 'link') input.focus();
}
};
};
})();
