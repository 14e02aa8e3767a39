/**
 * The demo pages' own words, in the languages `<meeting-room>` ships (packages/elements/src/i18n), so that the
 * start page and the meeting speak the same language.
 */
const en = {
  tagline: 'Video meetings that stay between the people in them.',
  newMeeting: 'New meeting',
  joinOnly: 'Meetings on this server are created by the site that invites you.',
  codeLabel: 'Meeting code',
  codePlaceholder: 'Enter a code: xxxx-xxxx-xxxx',
  join: 'Join',
  createFailed: 'Could not create a meeting:',
  serverAnswered: 'the server answered',
  meetingHeading: 'Meeting',
  notFound: 'Not found',
  notACode: 'That does not look like a meeting code.',
  backToStart: 'Back to Parley',
};

export type PageStrings = typeof en;

const catalogs: Record<string, PageStrings> = {
  en,
  de: {
    tagline: 'Videobesprechungen, die unter den Beteiligten bleiben.',
    newMeeting: 'Neue Besprechung',
    joinOnly: 'Besprechungen auf diesem Server legt die Website an, die dich einlädt.',
    codeLabel: 'Besprechungscode',
    codePlaceholder: 'Code eingeben: xxxx-xxxx-xxxx',
    join: 'Beitreten',
    createFailed: 'Die Besprechung konnte nicht angelegt werden:',
    serverAnswered: 'der Server antwortete',
    meetingHeading: 'Besprechung',
    notFound: 'Nicht gefunden',
    notACode: 'Das sieht nicht nach einem Besprechungscode aus.',
    backToStart: 'Zurück zu Parley',
  },
  fr: {
    tagline: 'Des réunions vidéo qui restent entre leurs participants.',
    newMeeting: 'Nouvelle réunion',
    joinOnly: 'Sur ce serveur, les réunions sont créées par le site qui vous invite.',
    codeLabel: 'Code de la réunion',
    codePlaceholder: 'Saisissez un code : xxxx-xxxx-xxxx',
    join: 'Rejoindre',
    createFailed: 'Impossible de créer une réunion :',
    serverAnswered: 'le serveur a répondu',
    meetingHeading: 'Réunion',
    notFound: 'Introuvable',
    notACode: 'Cela ne ressemble pas à un code de réunion.',
    backToStart: 'Retour à Parley',
  },
  es: {
    tagline: 'Reuniones de vídeo que quedan entre quienes participan en ellas.',
    newMeeting: 'Nueva reunión',
    joinOnly: 'En este servidor, las reuniones las crea el sitio que te invita.',
    codeLabel: 'Código de la reunión',
    codePlaceholder: 'Escribe un código: xxxx-xxxx-xxxx',
    join: 'Unirse',
    createFailed: 'No se pudo crear la reunión:',
    serverAnswered: 'el servidor respondió',
    meetingHeading: 'Reunión',
    notFound: 'No encontrado',
    notACode: 'Eso no parece un código de reunión.',
    backToStart: 'Volver a Parley',
  },
};

/** Languages the pages speak, English first: the fallback. */
export const PAGE_LANGUAGES = Object.keys(catalogs);

export function pageStrings(lang: string): PageStrings {
  return catalogs[lang] ?? en;
}
