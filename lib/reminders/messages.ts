import type { Locale } from "@/lib/i18n/locales";

/**
 * The reminder cancel page's copy. English is the reference: its type is what every other language
 * must satisfy, so a missing sentence or one taking other arguments does not compile.
 */
const en = {
  title: "Cancel your reminder",
  active: {
    heading: "Cancel your reminder?",
    body: (p: { newsroom: string }) => `You asked ${p.newsroom} to remind you about a gift.`,
    effect: "If you cancel it, we will send you nothing more about it, we delete your email address from it, and the link in the reminder will no longer reopen your gift.",
    button: "Cancel the reminder",
  },
  cancelled: {
    heading: "Your reminder is cancelled",
    body: "We will not email you about it, and we have deleted your email address from it.",
  },
  over: {
    heading: "Nothing left to cancel",
    body: "This reminder is no longer active: we will not email you about it.",
  },
  invalid: {
    heading: "This link does not work",
    body: "The link may have been changed or cut short. Nothing was changed. Try the link in the email again, copied in full.",
  },
  backHome: (p: { newsroom: string }) => `Go to ${p.newsroom}`,
};

export type ReminderPageMessages = typeof en;

const ru = {
  title: "Отмена напоминания",
  active: {
    heading: "Отменить напоминание?",
    body: (p: { newsroom: string }) => `Вы просили редакцию ${quoted(p.newsroom)} напомнить вам о пожертвовании.`,
    effect: "Если вы его отмените, мы больше ничего не пришлём вам о нём, удалим из него ваш адрес электронной почты, а ссылка в напоминании больше не откроет ваше пожертвование.",
    button: "Отменить напоминание",
  },
  cancelled: {
    heading: "Напоминание отменено",
    body: "Мы не будем писать вам о нём и удалили из него ваш адрес электронной почты.",
  },
  over: {
    heading: "Отменять больше нечего",
    body: "Это напоминание уже не действует: мы не будем писать вам о нём.",
  },
  invalid: {
    heading: "Эта ссылка не работает",
    body: "Возможно, ссылку изменили или обрезали. Ничего не изменилось. Попробуйте ещё раз открыть ссылку из письма, скопировав её целиком.",
  },
  backHome: (p: { newsroom: string }) => `Перейти на сайт редакции ${quoted(p.newsroom)}`,
} satisfies ReminderPageMessages;

// The newsroom's name in apposition to «редакция», in guillemets, so it never has to be declined.
function quoted(name: string): string {
  return /^[«"„“]/.test(name) ? name : `«${name}»`;
}

export const REMINDER_PAGE_MESSAGES: Record<Locale, ReminderPageMessages> = { en, ru };
