// Talkback embed: one script tag, no cookies, no third parties, no eval, no inline styles.
// Hand-written; the service strips indentation and whole-line comments, then hashes it.
// Text goes through textContent; innerHTML is used only for HTML the service sanitised.
(() => {
'use strict';
const script = document.currentScript;
const sd = script && script.dataset;
if (!sd || !sd.talkbackSite) return;
const base = new URL(script.src).origin;
const api = base + '/api/v1/';
const siteApi = api + 'sites/' + encodeURIComponent(sd.talkbackSite) + '/';
// The only thing ever stored: id + edit token of the reader's own comments, per site.
const site = sd.talkbackSite;
const KEY = 'talkback:' + site;
const MAX_DEPTH = 4;
const PAGE = 50;

const T = {
en: {na: 'Comments are not available on this page.', aw: 'Awaiting moderation', gl: 'Get link', oa: 'Other apps', sh: 'Share this post', n: {one: '{n} comment', other: '{n} comments'}, none: 'No comments yet. Be the first.', write: 'Write a comment', rto: 'Reply to {a}', name: 'Name', email: 'E-mail (optional, never shown)', web: 'Website (optional)', text: 'Comment', help: 'Markdown: *italic*, **bold**, [link](https://…), `code`, > quote', hp: 'Leave this empty', pv: 'Preview', send: 'Publish', reply: 'Reply', cancel: 'Cancel', more: 'Load more comments', wait: 'Your comment is awaiting moderation.', pub: 'Your comment is published.', edit: 'Edit', save: 'Save', del: 'Delete', sure: 'Really delete?', gone: 'Your comment was deleted.', saved: 'Your changes were saved.', anon: 'Anonymous', err: 'Something went wrong. Please try again.', load: 'Loading comments…', ed: 'edited', nr: 'Notify me of replies by e-mail', x: {email_required: 'Enter your e-mail address to be told about replies.', missing_field: 'Please write something first.', too_long: 'That is too long. Please shorten it.', invalid_email: 'Please check the e-mail address.', invalid_url: 'The website must start with http:// or https://.', rate_limited: 'Too many comments at once. Please wait a minute.', edit_window_closed: 'This comment can no longer be changed.', not_editable: 'This comment can no longer be changed.', unknown_parent: 'The comment you are replying to is no longer there.'}},
de: {na: 'Kommentare sind auf dieser Seite nicht verfügbar.', aw: 'Wartet auf Freigabe', gl: 'Link abrufen', oa: 'Andere Apps', sh: 'Beitrag teilen', n: {one: '{n} Kommentar', other: '{n} Kommentare'}, none: 'Noch keine Kommentare. Schreiben Sie den ersten!', write: 'Kommentar schreiben', rto: 'Antwort an {a}', name: 'Name', email: 'E-Mail (optional, wird nie angezeigt)', web: 'Website (optional)', text: 'Kommentar', help: 'Markdown: *kursiv*, **fett**, [Link](https://…), `Code`, > Zitat', hp: 'Bitte leer lassen', pv: 'Vorschau', send: 'Veröffentlichen', reply: 'Antworten', cancel: 'Abbrechen', more: 'Weitere Kommentare laden', wait: 'Ihr Kommentar wartet auf Freigabe.', pub: 'Ihr Kommentar ist veröffentlicht.', edit: 'Bearbeiten', save: 'Speichern', del: 'Löschen', sure: 'Wirklich löschen?', gone: 'Ihr Kommentar wurde gelöscht.', saved: 'Ihre Änderungen wurden gespeichert.', anon: 'Anonym', err: 'Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.', load: 'Kommentare werden geladen …', ed: 'bearbeitet', nr: 'Bei Antworten per E-Mail benachrichtigen', x: {email_required: 'Bitte geben Sie Ihre E-Mail-Adresse an, um über Antworten informiert zu werden.', missing_field: 'Bitte schreiben Sie zuerst etwas.', too_long: 'Das ist zu lang. Bitte kürzen Sie den Text.', invalid_email: 'Bitte prüfen Sie die E-Mail-Adresse.', invalid_url: 'Die Website muss mit http:// oder https:// beginnen.', rate_limited: 'Zu viele Kommentare auf einmal. Bitte warten Sie eine Minute.', edit_window_closed: 'Dieser Kommentar kann nicht mehr geändert werden.', not_editable: 'Dieser Kommentar kann nicht mehr geändert werden.', unknown_parent: 'Der Kommentar, auf den Sie antworten, existiert nicht mehr.'}},
fr: {na: 'Les commentaires ne sont pas disponibles sur cette page.', aw: 'En attente de modération', gl: 'Obtenir le lien', oa: 'Autres applications', sh: 'Partager cet article', n: {one: '{n} commentaire', other: '{n} commentaires'}, none: 'Pas encore de commentaires. Soyez le premier !', write: 'Écrire un commentaire', rto: 'Réponse à {a}', name: 'Nom', email: 'E-mail (facultatif, jamais affiché)', web: 'Site web (facultatif)', text: 'Commentaire', help: 'Markdown : *italique*, **gras**, [lien](https://…), `code`, > citation', hp: 'Laissez ce champ vide', pv: 'Aperçu', send: 'Publier', reply: 'Répondre', cancel: 'Annuler', more: 'Afficher plus de commentaires', wait: 'Votre commentaire est en attente de modération.', pub: 'Votre commentaire est publié.', edit: 'Modifier', save: 'Enregistrer', del: 'Supprimer', sure: 'Vraiment supprimer ?', gone: 'Votre commentaire a été supprimé.', saved: 'Vos modifications ont été enregistrées.', anon: 'Anonyme', err: 'Une erreur est survenue. Veuillez réessayer.', load: 'Chargement des commentaires…', ed: 'modifié', nr: 'Me prévenir des réponses par e-mail', x: {email_required: 'Indiquez votre adresse e-mail pour être prévenu des réponses.', missing_field: 'Veuillez d’abord écrire quelque chose.', too_long: 'C’est trop long. Veuillez raccourcir le texte.', invalid_email: 'Veuillez vérifier l’adresse e-mail.', invalid_url: 'Le site web doit commencer par http:// ou https://.', rate_limited: 'Trop de commentaires à la fois. Veuillez patienter une minute.', edit_window_closed: 'Ce commentaire ne peut plus être modifié.', not_editable: 'Ce commentaire ne peut plus être modifié.', unknown_parent: 'Le commentaire auquel vous répondez n’existe plus.'}},
ar: {na: 'التعليقات غير متاحة في هذه الصفحة.', aw: 'بانتظار المراجعة', gl: 'الحصول على الرابط', oa: 'تطبيقات أخرى', sh: 'مشاركة هذا المنشور', n: {zero: 'لا توجد تعليقات', one: 'تعليق واحد', two: 'تعليقان', few: '{n} تعليقات', many: '{n} تعليقًا', other: '{n} تعليق'}, none: 'لا توجد تعليقات بعد. كن أول من يعلّق.', write: 'اكتب تعليقًا', rto: 'رد على {a}', name: 'الاسم', email: 'البريد الإلكتروني (اختياري، لا يُعرض أبدًا)', web: 'الموقع الإلكتروني (اختياري)', text: 'التعليق', help: 'ماركداون: *مائل*، **عريض**، [رابط](https://…)، `شيفرة`، > اقتباس', hp: 'اترك هذا الحقل فارغًا', pv: 'معاينة', send: 'نشر', reply: 'رد', cancel: 'إلغاء', more: 'تحميل المزيد من التعليقات', wait: 'تعليقك بانتظار المراجعة.', pub: 'تم نشر تعليقك.', edit: 'تعديل', save: 'حفظ', del: 'حذف', sure: 'هل تريد الحذف فعلًا؟', gone: 'تم حذف تعليقك.', saved: 'تم حفظ تغييراتك.', anon: 'مجهول', err: 'حدث خطأ ما. يُرجى المحاولة مرة أخرى.', load: 'جارٍ تحميل التعليقات…', ed: 'معدَّل', nr: 'أبلغني بالردود عبر البريد الإلكتروني', x: {email_required: 'أدخل بريدك الإلكتروني لتصلك الردود.', missing_field: 'يُرجى كتابة شيء أولًا.', too_long: 'النص طويل جدًا. يُرجى اختصاره.', invalid_email: 'يُرجى التحقق من عنوان البريد الإلكتروني.', invalid_url: 'يجب أن يبدأ عنوان الموقع بـ http:// أو https://.', rate_limited: 'تعليقات كثيرة في وقت قصير. يُرجى الانتظار دقيقة.', edit_window_closed: 'لم يعد بالإمكان تعديل هذا التعليق.', not_editable: 'لم يعد بالإمكان تعديل هذا التعليق.', unknown_parent: 'التعليق الذي تردّ عليه لم يعد موجودًا.'}}
};
const RTL = ['ar'];

const el = document.getElementById('talkback-thread');
const ds = (el && el.dataset) || {};
// Options may sit on the div or on the script tag; the div wins.
const opt = (name) => ds[name] || sd[name] || '';
const lang = [ds.talkbackLang, sd.talkbackLang, document.documentElement.lang, 'en']
.map((l) => (l || '').toLowerCase().split('-')[0]).find((l) => T[l]);
const t = T[lang];
const plurals = new Intl.PluralRules(lang);
const count = (n) => (t.n[plurals.select(n)] || t.n.other).replace('{n}', n.toLocaleString(lang));
const relative = new Intl.RelativeTimeFormat(lang, {numeric: 'auto'});
const UNITS = [['second', 60], ['minute', 60], ['hour', 24], ['day', 30], ['month', 12], ['year', Infinity]];
const ago = (date) => {
let value = (date - Date.now()) / 1000;
for (const [unit, size] of UNITS) {
if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
value /= size;
}
};

// h('p', {class: 'x', text: 'safe text', onclick: fn}, [children]) builds DOM, never HTML.
const h = (tag, attrs, kids) => {
const node = document.createElement(tag);
for (const [key, value] of Object.entries(attrs || {})) {
if (value == null || value === false) continue;
if (key === 'text') node.textContent = value;
else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
else node.setAttribute(key, value === true ? '' : value);
}
node.append(...(kids || []).filter(Boolean));
return node;
};

// credentials: 'omit' keeps even same-origin cookies out of every request.
// cache: 'no-cache' revalidates (ETag, a 304 when nothing changed) instead of trusting max-age.
const call = async (method, url, body, cache) => {
const init = {method, cache, credentials: 'omit', referrerPolicy: 'strict-origin-when-cross-origin'};
if (body) {
init.headers = {'Content-Type': 'application/json'};
init.body = JSON.stringify(body);
}
let response;
try {
response = await fetch(url, init);
} catch (e) {
throw {};
}
const data = await response.json().catch(() => ({}));
if (!response.ok) throw data.error || {};
return data;
};

const store = {
all() {
try {
return JSON.parse(localStorage.getItem(KEY)) || [];
} catch (e) {
return [];
}
},
put(list) {
try {
if (list.length) localStorage.setItem(KEY, JSON.stringify(list));
else localStorage.removeItem(KEY);
} catch (e) {
// Storage disabled: the comment is still posted, only the reload state is lost.
}
}
};

// Counts on listing pages: every <span data-talkback-count="/path"> in one request.
const spans = [...document.querySelectorAll('[data-talkback-count]')];
if (spans.length) {
const uris = [...new Set(spans.map((s) => s.dataset.talkbackCount))].slice(0, 100);
call('GET', siteApi + 'counts?' + uris.map((u) => 'uri=' + encodeURIComponent(u)).join('&'))
.then((data) => spans.forEach((s) => {
const n = data.counts[s.dataset.talkbackCount];
if (n != null) s.textContent = count(n);
}))
.catch(() => {});
}

if (!el || !el.attachShadow || el.shadowRoot) return;
const uri = ds.talkbackUri || location.pathname;

// --- theme: "auto" (default) matches the host page's own background --------------------
const luminance = (node) => {
for (; node; node = node.parentElement) {
const c = getComputedStyle(node).backgroundColor.match(/[\d.]+/g);
if (c && (c.length < 4 || +c[3] > 0.5)) return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
// Nothing painted: the canvas, which is light unless the page asks for dark.
return getComputedStyle(document.documentElement).colorScheme === 'dark' ? 0 : 255;
};
const theme = opt('talkbackTheme') || 'auto';
const mode = /^(dark|light)$/.test(theme) ? theme : theme === 'system' ? null : luminance(el) < 128 ? 'dark' : 'light';

// The shadow root hides the server-rendered fallback inside the div and keeps styles apart.
const shadow = el.attachShadow({mode: 'open'});
const box = h('div', {class: 'tb', lang, dir: RTL.includes(lang) ? 'rtl' : 'ltr', 'data-theme': mode, hidden: true});
const sheet = h('link', {rel: 'stylesheet', href: base + '__TALKBACK_CSS__'});
sheet.onload = sheet.onerror = () => {
box.hidden = false;
};
shadow.append(sheet, box);

const live = h('div', {class: 'tb-sr', role: 'status', 'aria-live': 'polite'});
const say = (message) => {
live.textContent = '';
setTimeout(() => {
live.textContent = message;
}, 100);
};
const heading = h('h2', {tabindex: -1, text: t.load});
const list = h('ol', {class: 'tb-l'});
const more = h('button', {type: 'button', hidden: true, text: t.more});
const nodes = {};
let formToken = null;
let total = 0;
// The reader's own comments still awaiting a decision, shown in the list and counted.
let waiting = 0;
let next = null;
let parentId = null;

// --- share menu: three buttons now, the menu itself (embed-share.js) on first use --------
const nets = opt('talkbackShareNetworks').toLowerCase().split(',').map((n) => n.trim()).filter(Boolean);
const wants = (id) => !nets.length || nets.includes(id);
const bar = opt('talkbackShare') !== 'off' && h('div', {class: 'tb-sh', role: 'group', 'aria-label': t.sh});
let menu = null;
const loadMenu = () => menu || (menu = new Promise((resolve, reject) => {
const chunk = document.createElement('script');
chunk.src = base + '__TALKBACK_SHARE__';
chunk.onload = () => (window.talkbackShare ? resolve(window.talkbackShare({h, call, lang, bar, say, wants, menuUrl: siteApi + 'shares?url=' + encodeURIComponent(location.origin + uri) + '&title=' + encodeURIComponent(document.title)})) : reject({}));
chunk.onerror = reject;
document.head.append(chunk);
}).catch((err) => {
menu = null;
throw err;
}));
const openMenu = async (kind, button) => {
try {
(await loadMenu()).open(kind, button);
} catch (err) {
say(t.err);
}
};
if (bar) {
const toggle = (label, kind) => h('button', {type: 'button', 'aria-expanded': 'false', text: label, onclick: (e) => openMenu(kind, e.currentTarget)});
// A real link, so it still works opened in a new tab: the no-JS page lists every network.
const x = wants('x') && h('a', {href: base + '/t/' + encodeURIComponent(site) + '?uri=' + encodeURIComponent(uri), class: 'tb-xl', rel: 'noopener', text: 'X', onclick: (e) => {
e.preventDefault();
openMenu('x', x);
}});
bar.append(toggle(t.gl, 'link'), x || '', toggle(t.oa, 'other'));
// Intent to share warms the menu up, so a click finds it ready.
['pointerenter', 'focusin'].forEach((type) => bar.addEventListener(type, () => loadMenu().catch(() => {}), {once: true}));
}

// --- the form -----------------------------------------------------------------------
const f = {};
const field = (name, label, attrs) => {
f[name] = h(attrs.rows ? 'textarea' : 'input', {name, ...attrs});
return h('label', {}, [label, f[name]]);
};
const title = h('h3', {text: t.write});
const error = h('p', {class: 'tb-e', role: 'alert'});
const preview = h('div', {class: 'tb-p', hidden: true, 'aria-label': t.pv, role: 'region'});
const honeypot = h('input', {name: 'honeypot', tabindex: -1, autocomplete: 'off'});
// Shown only where the site offers reply mails; the address is confirmed by mail first.
const notify = h('input', {type: 'checkbox', name: 'notify_replies'});
const notifyLabel = h('label', {class: 'tb-ck', hidden: true}, [notify, t.nr]);
const send = h('button', {type: 'submit', class: 'tb-pr', text: t.send});
const cancel = h('button', {type: 'button', hidden: true, text: t.cancel});
// Hidden until the thread loads: a form that cannot be sent must not invite typing.
const form = h('form', {class: 'tb-f', novalidate: true, hidden: true}, [
title,
error,
h('div', {class: 'tb-row'}, [
field('author', t.name, {maxlength: 100, autocomplete: 'name'}),
field('email', t.email, {type: 'email', maxlength: 254, autocomplete: 'email'}),
field('website', t.web, {maxlength: 500, inputmode: 'url', autocomplete: 'url'})
]),
notifyLabel,
h('label', {class: 'tb-hp', 'aria-hidden': 'true'}, [t.hp, honeypot]),
field('text', t.text, {rows: 5, required: true, dir: 'auto', 'aria-describedby': 'tb-help'}),
h('p', {class: 'tb-hint', id: 'tb-help', text: t.help}),
preview,
h('div', {class: 'tb-x'}, [send, h('button', {type: 'button', text: t.pv, onclick: showPreview}), cancel])
]);

const showError = (err, fallbackFocus) => {
// Known codes in the reader's language; others keep the server's (English) message.
error.textContent = t.x[err.code] || err.message || t.err;
const bad = f[err.field];
if (bad) bad.setAttribute('aria-invalid', 'true');
(bad || fallbackFocus || error).focus();
};
const clearError = () => {
error.textContent = '';
Object.values(f).forEach((input) => input.removeAttribute('aria-invalid'));
};

async function showPreview() {
clearError();
try {
preview.innerHTML = (await call('POST', api + 'preview', {text: f.text.value})).html;
preview.hidden = false;
say(t.pv);
} catch (err) {
showError(err);
}
}

const replyTo = (comment, node, button) => {
parentId = comment.id;
// A function, so a `$&` in a name is not read as a replacement pattern.
title.textContent = t.rto.replace('{a}', () => comment.author || t.anon);
cancel.hidden = false;
cancel.onclick = () => {
closeReply();
button.focus();
};
node.li.querySelector('article').after(form);
f.text.focus();
};
const closeReply = () => {
parentId = null;
title.textContent = t.write;
cancel.hidden = true;
heading.after(form);
};

// The thread is the same for every reader (and cached); the form token is asked for
// when the reader starts on the form. A failed request is retried on the next focus.
const token = () => formToken || (formToken = call('GET', siteApi + 'form-token').then((d) => d.form_token, () => {
formToken = null;
return '';
}));
form.addEventListener('focusin', token);

form.addEventListener('submit', async (event) => {
event.preventDefault();
clearError();
send.disabled = true;
const body = {uri, title: document.title, parent_id: parentId, text: f.text.value, honeypot: honeypot.value, form_token: await token()};
['author', 'email', 'website'].forEach((name) => {
body[name] = f[name].value;
});
if (!notifyLabel.hidden && notify.checked) body.notify_replies = true;
try {
// The answer is the author's view: rendered, sanitised, with name and time.
const made = await call('POST', siteApi + 'comments', body);
const own = {id: made.id, token: made.edit_token, uri};
store.put([...store.all(), own]);
f.text.value = '';
notify.checked = false;
preview.hidden = true;
closeReply();
showMine(own, made).li.focus();
say(t.wait);
} catch (err) {
showError(err);
} finally {
send.disabled = false;
}
});

// --- comments: published ones, and the reader's own as they will look -------------------
const edited = (c) => c.edited && h('i', {class: 'tb-ed', title: new Date(c.edited).toLocaleString(lang), text: t.ed});

const add = (c, mine) => {
if (nodes[c.id]) return nodes[c.id];
const parent = nodes[c.parent_id];
// Too deep: a reply goes beside its parent instead of under it.
const depth = parent ? Math.min(parent.depth + 1, MAX_DEPTH) : 1;
const into = !parent ? list : parent.depth < MAX_DEPTH ? parent.replies : parent.li.parentNode;
const name = c.author || t.anon;
const when = new Date(c.created);
const body = h('div', {class: 'tb-b', dir: 'auto'});
// The one innerHTML for comments: c.html is the service's bleach-sanitised rendering.
body.innerHTML = c.html;
const node = {depth, mine, replies: h('ol', {class: 'tb-r'})};
// Nobody can reply to a comment that is not published yet.
const replyButton = !mine && h('button', {type: 'button', text: t.reply, 'aria-label': t.rto.replace('{a}', () => name), onclick: () => replyTo(c, node, replyButton)});
node.actions = h('div', {class: 'tb-x'}, [replyButton || '']);
node.li = h('li', {class: mine ? 'tb-c tb-mine' : 'tb-c', id: 'tb-' + c.id, tabindex: -1}, [
h('article', {'aria-label': name}, [
h('p', {class: 'tb-m'}, [
/^https?:\/\//i.test(c.website || '') ? h('a', {href: c.website, rel: 'nofollow ugc noopener noreferrer'}, [h('bdi', {text: name})]) : h('b', {}, [h('bdi', {text: name})]),
h('time', {datetime: c.created, title: when.toLocaleString(lang), text: ago(when)}),
!mine && edited(c),
mine && h('span', {class: 'tb-badge', text: t.aw})
]),
body,
node.actions
]),
node.replies
]);
into.append(node.li);
nodes[c.id] = node;
if (mine) waiting += 1;
return node;
};

const setTotal = (n) => {
total = n;
const shown = total + waiting;
heading.textContent = count(shown);
const empty = list.querySelector('.tb-none');
if (shown && empty) empty.remove();
if (!shown && !empty) list.append(h('li', {class: 'tb-none', text: t.none}));
};

const drop = (id) => {
const node = nodes[id];
if (!node) return;
node.li.remove();
delete nodes[id];
if (node.mine) waiting -= 1;
setTotal(node.mine ? total : total - 1);
};

const load = async (after) => {
const data = await call('GET', siteApi + 'threads?limit=' + PAGE + '&uri=' + encodeURIComponent(uri) + (after ? '&after=' + after : ''), null, 'no-cache');
notifyLabel.hidden = !data.reply_notifications;
data.comments.forEach((c) => add(c));
setTotal(data.total);
next = data.next_after;
more.hidden = !next;
return data.comments;
};

more.onclick = async () => {
more.disabled = true;
try {
const added = await load(next);
// The button may vanish with the last page: move focus to the first new comment.
if (added.length) nodes[added[0].id].li.focus();
} catch (err) {
say(t.err);
}
more.disabled = false;
};

// --- the reader's own comments: shown once, where they belong; edit and delete ----------
const forget = (id) => store.put(store.all().filter((o) => o.id !== id));

function showMine(own, c) {
let node = nodes[own.id];
// Published and already in the list: only the author's buttons are added to it.
if (!(node && !node.mine && c.status === 'approved')) {
drop(own.id);
node = add(c, c.status !== 'approved');
setTotal(total + (c.status === 'approved' ? 1 : 0));
}
if (c.can_edit && !node.li.querySelector('.tb-own')) {
const editButton = h('button', {type: 'button', class: 'tb-own', text: t.edit});
const deleteButton = h('button', {type: 'button', text: t.del});
editButton.onclick = () => startEdit(own, c, node, editButton);
deleteButton.onclick = async () => {
if (deleteButton.textContent !== t.sure) {
deleteButton.textContent = t.sure;
return;
}
try {
await call('DELETE', api + 'comments/' + own.id + '?token=' + encodeURIComponent(own.token));
forget(own.id);
drop(own.id);
heading.focus();
say(t.gone);
} catch (err) {
showError(err, deleteButton);
}
};
node.actions.append(editButton, deleteButton);
}
return node;
}

const startEdit = (own, c, node, editButton) => {
const text = node.li.querySelector('.tb-b');
const area = h('textarea', {rows: 5, 'aria-describedby': 'tb-help'});
area.value = c.text;
const save = h('button', {type: 'button', class: 'tb-pr', text: t.save});
const back = h('button', {type: 'button', text: t.cancel});
const editor = h('div', {}, [h('label', {}, [t.text, area]), h('div', {class: 'tb-x'}, [save, back])]);
text.replaceWith(editor);
node.actions.hidden = true;
area.focus();
back.onclick = () => {
editor.replaceWith(text);
node.actions.hidden = false;
editButton.focus();
};
save.onclick = async () => {
save.disabled = true;
try {
const changed = await call('PATCH', api + 'comments/' + own.id, {token: own.token, text: area.value});
// Drawn anew from the answer: published, or back to awaiting moderation.
drop(own.id);
showMine(own, changed).li.focus();
say(t.saved);
} catch (err) {
save.disabled = false;
showError(err, area);
}
};
};

const restore = async () => {
const dropped = [];
for (const own of store.all().filter((o) => o.uri === uri)) {
try {
const c = await call('GET', api + 'comments/' + own.id + '?token=' + encodeURIComponent(own.token));
// Nothing left to show or do once it is decided and the edit window has closed.
if (c.status === 'rejected' || (c.status === 'approved' && !c.can_edit)) dropped.push(own.id);
// Published on a page not loaded yet: it shows there, once.
else if (c.status !== 'approved' || nodes[own.id]) showMine(own, c);
} catch (err) {
if (err.code === 'unknown_comment' || err.code === 'bad_token') dropped.push(own.id);
}
}
if (dropped.length) store.put(store.all().filter((o) => !dropped.includes(o.id)));
};

const bottom = opt('talkbackSharePosition') === 'bottom';
box.append(bar && !bottom ? bar : '', heading, live, form, list, more, bar && bottom ? bar : '');
load(0)
.then(() => {
form.hidden = false;
return restore();
})
.catch((err) => {
if (err.code !== 'origin_not_allowed') {
heading.textContent = t.err;
return;
}
// Misconfigured, not broken: say so plainly, and tell the owner what to allow.
heading.textContent = t.na;
form.remove();
if (bar) bar.remove();
console.warn('Talkback: ' + location.origin + ' is not an allowed origin of the site "' + site + '". Its owner can allow it on the dashboard\'s Sites page or with: flask sites update ' + site + ' --add-origin ' + location.origin);
});
})();
