import type { AnyFrequency, RecurringFrequency } from "../props";
import type { Messages } from "./en";
import { plural } from "./plural";

/**
 * Russian copy. Typed as `Messages`, so it has exactly the English keys and arguments.
 *
 * The newsroom's name is always in apposition to «редакция» («редакции «Новая газета»»), so it never
 * has to be declined; «пожертвование» is neuter, so its adjective changes with the case.
 */

type Gift = { amount: string; frequency: RecurringFrequency };

const q = (name: string) => (/^[«"„“]/.test(name) ? name : `«${name}»`);
const nominative: Record<RecurringFrequency, string> = { monthly: "ежемесячное", annual: "ежегодное" };
const genitive: Record<RecurringFrequency, string> = { monthly: "ежемесячного", annual: "ежегодного" };
const dative: Record<RecurringFrequency, string> = { monthly: "ежемесячному", annual: "ежегодному" };

const minutes = (count: number) => `${count} ${plural("ru", count, { one: "минуту", few: "минуты", many: "минут", other: "минуты" })}`;
const times = (count: number) => `${count} ${plural("ru", count, { one: "раз", few: "раза", many: "раз", other: "раза" })}`;

export const ru: Messages = {
  layout: {
    sentBy: (newsroom) => `Это письмо отправила редакция ${q(newsroom)}.`,
  },
  greeting: (name) => (name ? `Здравствуйте, ${name}!` : "Здравствуйте!"),
  signOff: (newsroom) => `С благодарностью, редакция ${q(newsroom)}`,
  whyGave: (newsroom) => `Вы получили это письмо, потому что поддержали редакцию ${q(newsroom)}.`,
  whyRecurring: (newsroom) => `Вы получили это письмо, потому что регулярно поддерживаете редакцию ${q(newsroom)}.`,
  details: {
    label: "Подробности",
    amount: "Сумма",
    date: "Дата",
    frequency: "Пожертвование",
    period: "Оплаченный период",
    nextPayment: "Следующий платёж",
    reference: "Номер квитанции",
  },
  frequencyName: { once: "Разовое", monthly: "Ежемесячное", annual: "Ежегодное" },

  receiptOneTime: {
    subject: (p) => `Ваша квитанция: ${p.amount} — ${p.newsroom}`,
    preview: "Спасибо за вашу поддержку. Это письмо — квитанция о платеже.",
    heading: "Спасибо за вашу поддержку",
    received: (p) => `Мы получили ваше пожертвование — ${p.amount}. Спасибо! Только благодаря поддержке читателей мы можем продолжать нашу работу.`,
    keep: "Это письмо — квитанция о платеже. Пожалуйста, сохраните его.",
  },

  receiptRecurring: {
    subjectFirst: (p) => `Ваше ${nominative[p.frequency]} пожертвование оформлено: ${p.amount} — ${p.newsroom}`,
    subjectRenewal: (p) => `Ваша квитанция: ${p.amount} — ${p.newsroom}`,
    preview: "Спасибо за вашу поддержку. Это письмо — квитанция о платеже.",
    headingFirst: (p) => `Ваше ${nominative[p.frequency]} пожертвование оформлено`,
    headingRenewal: "Спасибо, что продолжаете нас поддерживать",
    receivedFirst: (p: Gift) => `Спасибо, что решили поддерживать нас регулярно! Мы получили первый платёж вашего ${genitive[p.frequency]} пожертвования — ${p.amount}.`,
    receivedRenewal: (p: Gift) => `Мы получили очередной платёж по вашему ${dative[p.frequency]} пожертвованию — ${p.amount}. Спасибо, что остаётесь с нами.`,
    keep: "Это письмо — квитанция о платеже. Пожалуйста, сохраните его.",
    manage: "Изменить, приостановить или отменить пожертвование",
    manageNote: "Эта ссылка 30 дней открывает ваше пожертвование без входа в кабинет: пожалуйста, не пересылайте это письмо.",
  },

  paymentFailed: {
    subject: (p) => `Платёж на сумму ${p.amount} не прошёл`,
    preview: "Рассказываем, что будет дальше.",
    heading: "Платёж не прошёл",
    failed: (p: Gift) =>
      `Нам не удалось списать очередной платёж по вашему ${dative[p.frequency]} пожертвованию (${p.amount}). Так бывает: у карты истекает срок действия, а банки иногда отклоняют платежи.`,
    attempts: (count) => `Мы пробовали уже ${times(count)}.`,
    retry: (p) => `Мы попробуем ещё раз ${p.date}. Если у вас новая карта, вы можете указать её заранее.`,
    noRetry: "Больше попыток списания не будет. Если вы хотите сохранить пожертвование, оплатите этот платёж другой картой.",
    button: "Оплатить другой картой",
    alreadyDone: "Если вы уже всё уладили, просто не обращайте внимания на это письмо.",
    manage: "Обновить карту для следующих платежей",
  },

  recurringEnding: {
    subject: (p) => `Ваше ${nominative[p.frequency]} пожертвование (${p.amount}) завершится ${p.date}`,
    preview: "Больше списаний не будет.",
    heading: "Ваше пожертвование скоро завершится",
    ends: (p) => `Ваше ${nominative[p.frequency]} пожертвование (${p.amount}) в пользу редакции ${q(p.newsroom)} завершится ${p.date}. Больше списаний не будет.`,
    thanks: "Спасибо, что всё это время поддерживали нас. Для нас это действительно важно.",
    undo: (p: { date: string }) => `Передумали? Сохранить пожертвование можно до ${p.date}.`,
    undoButton: "Сохранить пожертвование",
  },

  recurringEnded: {
    subject: (p) => `Ваше ${nominative[p.frequency]} пожертвование завершено`,
    preview: "Больше списаний не будет.",
    heading: (p) => `Ваше ${nominative[p.frequency]} пожертвование завершено`,
    ended: {
      cancellation_requested: (p) => `Как вы и просили, ваше ${nominative[p.frequency]} пожертвование (${p.amount}) завершено ${p.date}. Больше списаний не будет.`,
      payment_failed: (p) =>
        `Ваше ${nominative[p.frequency]} пожертвование (${p.amount}) завершено ${p.date}: нам не удалось списать платёж даже после нескольких попыток. Больше списаний не будет.`,
      payment_disputed: (p) =>
        `Ваше ${nominative[p.frequency]} пожертвование (${p.amount}) завершено ${p.date}, потому что один из платежей был оспорен через банк. Больше списаний не будет.`,
      other: (p) => `Ваше ${nominative[p.frequency]} пожертвование (${p.amount}) завершено ${p.date}. Больше списаний не будет.`,
    },
    thanks: "Спасибо за всё, что вы для нас сделали.",
    restartAfterFailure: "Если вы хотите и дальше поддерживать нас, оформите пожертвование заново — той же картой или другой.",
    restart: "Если когда-нибудь захотите снова поддержать нас, оформить новое пожертвование можно в любой момент.",
    buttonAfterFailure: "Оформить пожертвование заново",
    button: "Оформить новое пожертвование",
  },

  reminder: {
    subject: "Напоминание, о котором вы просили",
    preview: "Вы просили прислать вам это напоминание.",
    heading: "Напоминаем, как вы и просили",
    asked: (p) => `Вы просили напомнить вам о поддержке редакции ${q(p.newsroom)}.`,
    chosen: (p: { frequency: AnyFrequency; amount: string | null }) => {
      const kind = { once: "разовое пожертвование", monthly: "ежемесячное пожертвование", annual: "ежегодное пожертвование" }[p.frequency];

      return p.amount ? `Вы выбрали ${kind} — ${p.amount}.` : `Вы выбрали ${kind}.`;
    },
    invite: "Когда будете готовы, вы сможете продолжить с того места, где остановились. Это займёт минуту.",
    button: "Продолжить пожертвование",
    changedMind: "Передумали?",
    cancel: "Отменить напоминание",
    why: (newsroom) => `Вы получили это письмо, потому что попросили редакцию ${q(newsroom)} напомнить вам о пожертвовании.`,
    unsubscribe: "Отписаться от таких писем",
  },

  signIn: {
    subject: "Ссылка для входа",
    preview: (p) => `Ссылка действует ${minutes(p.minutes)}.`,
    heading: "Вход",
    intro: (p) => `Вот ваша ссылка для входа на сайт редакции ${q(p.newsroom)}. Она действует ${minutes(p.minutes)}.`,
    button: () => "Войти",
    copy: "Если кнопка не работает, скопируйте эту ссылку в адресную строку браузера:",
    doNotForward: "Не пересылайте это письмо: по ссылке войдёт любой, кто её откроет.",
    notYou: "Если вы не запрашивали вход, просто проигнорируйте это письмо.",
    why: (newsroom) => `Вы получили это письмо, потому что кто-то — вероятно, вы — запросил вход на сайт редакции ${q(newsroom)}, указав этот адрес электронной почты.`,
  },

  yearlyStatement: {
    subject: (p) => `Ваша выписка за ${p.year} год`,
    preview: (p) => `Все ваши пожертвования за ${p.year} год и итоги.`,
    heading: (p) => `Ваши пожертвования в ${p.year} году`,
    intro: (p) => `Спасибо, что поддерживали редакцию ${q(p.newsroom)} в ${p.year} году. Ниже — все пожертвования, которые мы получили от вас за этот год.`,
    caption: (p) => `Пожертвования за ${p.year} год`,
    columns: { date: "Дата", gift: "Пожертвование", amount: "Сумма", returned: "Возвращено" },
    none: "За этот год у нас нет записей о ваших пожертвованиях.",
    returned: (p) => `−${p.amount}`,
    totalDetail: (p) => `Пожертвовано ${p.paid}, за вычетом ${p.returned}: возвраты и суммы, отозванные вашим банком`,
    netted: "Возвраты и платежи, которые ваш банк отозвал после спора, вычтены из итогов.",
    totalsHeading: "Итоги",
    total: (p) => `Итого, ${p.currency}`,
    perCurrency: "Итоги приведены отдельно по каждой валюте: суммы в разных валютах не складываются и не пересчитываются.",
    keep: "Пожалуйста, сохраните эту выписку.",
    why: (p) => `Вы получили это письмо, потому что поддерживали редакцию ${q(p.newsroom)} в ${p.year} году.`,
  },
};
