import { HIDE_UNTIL_KEY } from "./client/storage";

/**
 * The inline script that follows a server-rendered box on our own pages: if the reader asked to be
 * reminded later, it puts the box away before the first paint (an async script would do it after,
 * and everything below would move). The widget script (client/snooze.ts) then owns the same state.
 * Plain ES5 and tiny: it runs in the page's parser, before anything else is ready.
 */
export const SNOOZE_BOOT_SCRIPT = `(function(b){try{var s=b.querySelector("[data-rf-snoozable]");if(!s||!(+localStorage.getItem(${JSON.stringify(HIDE_UNTIL_KEY)})>Date.now()))return;var p=s.querySelector("[data-rf-snooze]");s.setAttribute("data-rf-snoozed","");p.hidden=false;p.querySelector("button").onclick=function(){s.removeAttribute("data-rf-snoozed");s.setAttribute("data-rf-shown","");p.hidden=true}}catch(e){}})(document.currentScript.previousElementSibling)`;
