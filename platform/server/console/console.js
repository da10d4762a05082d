/**
 * The dev console: one guest's book from sign-in to PDF. Everything goes through supabase-js as a storefront
 * would use it (Auth, Functions, Realtime), except the purchase and the outbox, which have no public API and use
 * the local platform's /dev/v1 routes with the same session. No framework: each step enables the next.
 */
/** How often the status endpoint is polled while something is being drawn: the fallback to Realtime. */
const POLL_INTERVAL_MS = 1500;

const element = (id) => document.getElementById(id);

const ui = {
  alert: element("alert"),
  signIn: element("sign-in"),
  sessionState: element("session-state"),
  photoForm: element("photo-form"),
  photoFields: element("photo-fields"),
  photoFile: element("photo-file"),
  useSample: element("use-sample"),
  photoResult: element("photo-result"),
  photoPreview: element("photo-preview"),
  photoCaption: element("photo-caption"),
  storyForm: element("story-form"),
  storyFields: element("story-fields"),
  theme: element("theme"),
  themeDescription: element("theme-description"),
  previewProgress: element("preview-progress"),
  previewState: element("preview-state"),
  liveState: element("live-state"),
  bookTitle: element("book-title"),
  pages: element("pages"),
  purchaseForm: element("purchase-form"),
  purchaseFields: element("purchase-fields"),
  purchaseState: element("purchase-state"),
  bookProgress: element("book-progress"),
  bookState: element("book-state"),
  emailState: element("email-state"),
  emailMessage: element("email-message"),
  emailTo: element("email-to"),
  emailSent: element("email-sent"),
  emailSubject: element("email-subject"),
  emailText: element("email-text"),
  download: element("download"),
};

/** An error as the API reports it: `{"error": {"code", "message"}}`. */
class ConsoleError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const state = {
  client: null,
  photoId: null,
  photoUrl: null,
  previewId: null,
  previewJobId: null,
  /** "preview" while the preview is drawn, "book" after the purchase, null otherwise: what the events feed. */
  phase: null,
  orderId: null,
  themes: new Map(),
};

// ---------------------------------------------------------------------------------------------------------
// Talking to the API
// ---------------------------------------------------------------------------------------------------------

/** The error a response carries: the API's shape, the gateway's `{code, message}`, or just its status. */
async function errorFrom(response) {
  const body = await response.json().catch(() => null);
  const error = body?.error ?? body;
  if (typeof error?.code === "string" && typeof error?.message === "string") {
    return new ConsoleError(error.code, error.message);
  }
  return new ConsoleError(`http_${response.status}`, `The server answered ${response.status}.`);
}

/** `supabase.functions.invoke`, with the API's error turned into a ConsoleError. */
async function invoke(name, options) {
  const { data, error } = await state.client.functions.invoke(name, options);
  if (!error) return data;
  if (error.context instanceof Response) throw await errorFrom(error.context);
  throw new ConsoleError("network_error", error.message);
}

/** A local-only /dev/v1 route, called with the session's access token as the functions are. */
async function devFetch(path, init = {}) {
  const { data } = await state.client.auth.getSession();
  const response = await fetch(path, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${data.session?.access_token ?? ""}` },
  });
  if (!response.ok) throw await errorFrom(response);
  return response;
}

function showError(error) {
  const code = error instanceof ConsoleError ? error.code : "console_error";
  const label = document.createElement("strong");
  label.textContent = code;
  ui.alert.replaceChildren(label, `: ${error.message}`);
  // The region announces itself; sighted users may be further down the page.
  ui.alert.scrollIntoView({ block: "nearest" });
}

function clearError() {
  ui.alert.replaceChildren();
}

/** Runs a step's action with its button busy, and shows what went wrong in the alert region. */
async function run(button, action) {
  clearError();
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    await action();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------
// 1. Sign in
// ---------------------------------------------------------------------------------------------------------

async function signIn() {
  const { data, error } = await state.client.auth.signInAnonymously();
  if (error) throw new ConsoleError(error.code ?? "sign_in_failed", error.message);
  // The private story:<id> channels authorise the join with this token (row level security on Realtime).
  await state.client.realtime.setAuth(data.session.access_token);
  ui.sessionState.textContent = `Signed in as guest ${data.user.id.slice(0, 8)}… (an anonymous session).`;
  ui.signIn.hidden = true;
  ui.photoFields.disabled = false;
  // The button just pressed is gone; the next thing to do is choosing a photo.
  ui.photoFile.focus();
}

// ---------------------------------------------------------------------------------------------------------
// 2. The photo
// ---------------------------------------------------------------------------------------------------------

async function uploadPhoto(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const photo = await invoke("upload-photo", { body: form });
  state.photoId = photo.photo_id;
  if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
  state.photoUrl = URL.createObjectURL(file);
  ui.photoPreview.src = state.photoUrl;
  ui.photoCaption.textContent = `One face found (${Math.round(photo.face.confidence * 100)}% sure, ` +
    `${Math.round(photo.face.area_percent)}% of the photo); stored as ${photo.width} × ${photo.height} px.`;
  ui.photoResult.hidden = false;
  ui.storyFields.disabled = false;
}

async function uploadChosenFile() {
  const file = ui.photoFile.files?.[0];
  if (!file) throw new ConsoleError("no_file_chosen", "Choose a photo file first, or use the sample photo.");
  await uploadPhoto(file);
}

async function uploadSamplePhoto() {
  const blob = await (await devFetch("/dev/v1/sample-photo")).blob();
  await uploadPhoto(new File([blob], "sample-astronaut.jpg", { type: blob.type }));
}

// ---------------------------------------------------------------------------------------------------------
// 3. The story
// ---------------------------------------------------------------------------------------------------------

async function loadThemes() {
  const response = await fetch("/console/themes.json");
  if (!response.ok) throw await errorFrom(response);
  const { themes } = await response.json();
  for (const theme of themes) {
    state.themes.set(theme.id, theme);
    ui.theme.append(new Option(theme.title, theme.id));
  }
  describeTheme();
}

function describeTheme() {
  const theme = state.themes.get(ui.theme.value);
  ui.themeDescription.textContent = theme
    ? `${theme.description} For ages ${theme.min_age}–${theme.max_age}.`
    : "";
}

async function createPreview() {
  if (!ui.storyForm.reportValidity()) return;
  const fields = new FormData(ui.storyForm);
  const dedication = String(fields.get("dedication") ?? "").trim();
  const created = await invoke("previews", {
    body: {
      photo_id: state.photoId,
      child_name: fields.get("child_name"),
      child_age: Number(fields.get("child_age")),
      pronouns: fields.get("pronouns"),
      theme: fields.get("theme"),
      style: fields.get("style"),
      ...(dedication ? { dedication } : {}),
    },
  });
  state.previewId = created.preview_id;
  state.previewJobId = created.job_id;
  state.phase = "preview";
  // One book per visit: the photo and the story are fixed from here on.
  ui.photoFields.disabled = true;
  ui.storyFields.disabled = true;
  ui.previewState.textContent = `Queued: the cover is drawn first, then pages 1–5 together ` +
    `(about ${created.estimated_time_seconds} s).`;
  // The form just sent is disabled: focus goes to where the preview appears.
  element("preview-heading").focus();
  followStory();
  await refreshPreview();
}

// ---------------------------------------------------------------------------------------------------------
// 4. Progress and pages: Realtime broadcasts on story:<id>, with the status endpoint polled as the fallback
// ---------------------------------------------------------------------------------------------------------

function followStory() {
  const topic = `story:${state.previewId}`;
  ui.liveState.textContent = `Live updates: joining the private channel ${topic}…`;
  state.client.channel(topic, { config: { private: true } })
    .on("broadcast", { event: "page_status" }, ({ payload }) => onPageStatus(payload))
    .on("broadcast", { event: "job_status" }, ({ payload }) => onJobStatus(payload))
    .subscribe((status) => {
      if (status === "SUBSCRIBED") {
        ui.liveState.textContent = `Live updates: listening on the private channel ${topic}.`;
        // Anything that happened before the join is caught up by one poll.
        pollStatus().catch(showError);
      } else {
        ui.liveState.textContent = `Live updates: ${status.toLowerCase()}; the status is polled meanwhile.`;
      }
    });
  pollUntilSettled();
}

let polling = false;

/** One polling loop at a time, for as long as something is being drawn or delivered. */
async function pollUntilSettled() {
  if (polling) return;
  polling = true;
  try {
    while (state.phase !== null) {
      try {
        await pollStatus();
        if (state.phase === "book") await pollOutbox();
      } catch (error) {
        showError(error);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } finally {
    polling = false;
  }
}

function onPageStatus({ status, progress }) {
  if (state.phase === "preview") {
    advance(ui.previewProgress, progress);
    if (status === "done") refreshPreview().catch(showError);
  } else if (state.phase === "book") {
    advance(ui.bookProgress, progress);
  }
}

function onJobStatus({ job_id: jobId, status, progress, error }) {
  if (state.phase === "preview" && jobId === state.previewJobId) {
    advance(ui.previewProgress, progress);
    if (status === "completed") finishPreview().catch(showError);
    if (status === "failed") failPreview(error);
  } else if (state.phase === "book" && jobId !== state.previewJobId) {
    advance(ui.bookProgress, progress);
    if (status === "completed") ui.bookState.textContent = "Print pages done: assembling the PDF…";
  }
}

/** Progress only goes forward, whichever of the broadcast and the poll arrives first. */
function advance(bar, progress) {
  if (typeof progress === "number" && progress > bar.value) {
    bar.value = progress;
    bar.textContent = `${progress}%`;
  }
}

async function pollStatus() {
  if (state.phase === null) return;
  const status = await invoke(`previews/${state.previewId}/status`, { method: "GET" });
  if (state.phase === "preview" && status.job_id === state.previewJobId) {
    advance(ui.previewProgress, status.progress);
    if (status.status === "completed") return await finishPreview();
    if (status.status === "failed") return failPreview(status.error);
    ui.previewState.textContent =
      `${status.pages_completed} of ${status.total_pages} pictures drawn (${status.current_step}).`;
    // A page finished whose broadcast this page missed (before the join, or a dropped socket).
    if (status.pages_completed > ui.pages.querySelectorAll(".drawn").length) await refreshPreview();
  } else if (state.phase === "book" && status.job_id !== state.previewJobId) {
    advance(ui.bookProgress, status.progress);
    ui.bookState.textContent = status.status === "completed"
      ? "Print pages done: assembling the PDF and sending the email…"
      : `${status.pages_completed} of ${status.total_pages} pages drawn at print size (${status.current_step}).`;
  }
}

async function finishPreview() {
  if (state.phase !== "preview") return;
  state.phase = null;
  advance(ui.previewProgress, 100);
  await refreshPreview();
  ui.previewState.textContent = "The preview is ready: the cover and pages 1–5, watermarked. " +
    "Pages 6–10 are drawn once the book is bought.";
  ui.purchaseFields.disabled = false;
}

function failPreview(reason) {
  state.phase = null;
  ui.previewState.textContent = "The preview could not be finished.";
  showError(new ConsoleError("preview_failed", reason ?? "Some pages could not be drawn."));
}

let refreshing = null;
let refreshAgain = false;

/** GET previews/{id}, one request at a time; a call during one asks for another after it. */
function refreshPreview() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      renderPreview(await invoke(`previews/${state.previewId}`, { method: "GET" }));
    } while (refreshAgain);
  })().finally(() => refreshing = null);
  return refreshing;
}

function renderPreview(preview) {
  ui.bookTitle.textContent = preview.title;
  ui.bookTitle.hidden = false;
  for (const page of [preview.cover, ...preview.pages]) {
    if (page) renderPage(page, preview.title);
  }
}

function renderPage(page, title) {
  const id = `page-${page.page_number}`;
  let item = document.getElementById(id);
  if (!item) {
    item = document.createElement("li");
    item.id = id;
    item.className = "page";
    const frame = document.createElement("div");
    frame.className = "frame";
    const caption = document.createElement("div");
    caption.className = "caption";
    const heading = document.createElement("h4");
    heading.textContent = page.page_number === 0 ? "Cover" : `Page ${page.page_number}`;
    const text = document.createElement("p");
    text.textContent = page.text;
    caption.append(heading, text);
    item.append(frame, caption);
    ui.pages.append(item);
  }
  const frame = item.querySelector(".frame");
  if (page.locked) {
    item.classList.add("locked");
    frame.replaceChildren(badge("Locked until the book is bought"));
  } else if (page.image_url && !frame.querySelector("img")) {
    // A signed URL changes with every read; the first one shown is kept, so the picture does not reload.
    const image = new Image(512, 512);
    image.alt = page.page_number === 0
      ? `Cover picture of “${title}”, watermarked`
      : `Picture for page ${page.page_number}, watermarked`;
    image.src = page.image_url;
    image.decoding = "async";
    const credit = document.createElement("p");
    credit.className = "credit";
    credit.textContent = `Drawn by ${page.illustrated_by}`;
    frame.replaceChildren(image);
    item.querySelector(".caption").append(credit);
    item.classList.add("drawn");
  } else if (!page.image_url) {
    frame.replaceChildren(badge(page.status === "failed" ? "Could not be drawn" : "Being drawn…"));
  }
}

function badge(text) {
  const note = document.createElement("p");
  note.className = "frame-note";
  note.textContent = text;
  return note;
}

// ---------------------------------------------------------------------------------------------------------
// 5. The simulated purchase, then 6. the email from the outbox
// ---------------------------------------------------------------------------------------------------------

async function simulatePurchase() {
  if (!ui.purchaseForm.reportValidity()) return;
  const email = new FormData(ui.purchaseForm).get("email");
  const response = await devFetch("/dev/v1/simulate-purchase", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ preview_id: state.previewId, email }),
  });
  const purchase = await response.json();
  state.orderId = purchase.order_id;
  state.phase = "book";
  ui.purchaseFields.disabled = true;
  ui.purchaseState.textContent = `Order ${purchase.order_id} paid: shopify-webhooks answered ` +
    `${purchase.webhook_status} (${purchase.outcome}).`;
  ui.bookState.textContent = "Drawing the pages at print size…";
  ui.emailState.textContent = "Waiting for the book-ready email…";
  element("email-heading").focus();
  pollUntilSettled();
}

async function pollOutbox() {
  const { emails } = await (await devFetch("/dev/v1/outbox")).json();
  const email = emails.find((candidate) => candidate.order_id === state.orderId);
  if (email?.status === "sent") {
    state.phase = null;
    advance(ui.bookProgress, 100);
    ui.bookState.textContent = "The book is made and its email sent.";
    showEmail(email);
  } else if (email?.status === "failed") {
    state.phase = null;
    showError(new ConsoleError("email_failed", email.last_error ?? "The email could not be sent."));
  }
}

function showEmail(email) {
  ui.emailTo.textContent = email.to;
  ui.emailSent.textContent = new Date(email.sent_at).toLocaleString();
  ui.emailSubject.textContent = email.subject;
  ui.emailText.textContent = email.text;
  ui.download.href = email.download_url;
  ui.download.download = `talecraft-book-${email.order_id}.pdf`;
  ui.emailState.textContent =
    "In the outbox (the offline stand-in for Resend): this is what the parent receives.";
  ui.emailMessage.hidden = false;
}

// ---------------------------------------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------------------------------------

ui.signIn.addEventListener("click", () => run(ui.signIn, signIn));
ui.photoForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(event.submitter, uploadChosenFile);
});
ui.useSample.addEventListener("click", () => run(ui.useSample, uploadSamplePhoto));
ui.theme.addEventListener("change", describeTheme);
ui.storyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(event.submitter, createPreview);
});
ui.purchaseForm.addEventListener("submit", (event) => {
  event.preventDefault();
  run(event.submitter, simulatePurchase);
});

try {
  if (!globalThis.supabase) throw new ConsoleError("missing_script", "supabase-js did not load.");
  const response = await fetch("/console/config.json");
  if (!response.ok) throw await errorFrom(response);
  const config = await response.json();
  // Each visit is a new guest: the console walks through one book, so no session is kept between visits.
  state.client = globalThis.supabase.createClient(config.url, config.anon_key, {
    auth: { persistSession: false },
  });
  await loadThemes();
  ui.signIn.disabled = false;
  ui.sessionState.textContent = "Not signed in.";
} catch (error) {
  ui.sessionState.textContent = "The console could not start.";
  showError(error);
}
