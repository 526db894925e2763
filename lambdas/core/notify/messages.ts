/**
 * Stage "notify", second half: the page as each channel type wants it. Pure: the incident and the signed links
 * (notify/action-links.ts) come in; the sender adapters only send. Each channel type's renderer lives in its module
 * under `notify/channels/` (with how it escapes untrusted text); this module re-exports them and the shared helpers
 * (`notify/text.ts`) for callers that want one import.
 */
export { cleanText, escapeHtml, safeUrl, truncate, type PageMessageInput } from './text';
export { emailMessage } from './channels/email';
export { smsLength, smsMessage } from './channels/sms';
export { escapeSlack, slackMessage } from './channels/slack';
export { teamsMessage } from './channels/teams';
export { webhookPayload, type WebhookPageEvent } from './channels/webhook';
export { signWebhook, verifyWebhookSignature, TIMESTAMP_HEADER, SIGNATURE_HEADER, type WebhookSignatureCheck } from './webhook-signature';
