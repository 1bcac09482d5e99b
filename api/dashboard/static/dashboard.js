// Lesson search without a page reload. The page works without this script (the form is a
// plain GET); with it, only the lessons section is fetched and swapped in, still rendered
// (and escaped) by the server.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("lesson-search");
  if (!form) {
    return;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...params.entries()]) {
      if (!value) {
        params.delete(key);
      }
    }
    const query = params.toString();
    const count = document.getElementById("lesson-count");
    form.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`/?${query}`, { headers: { Accept: "text/html" } });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ["lesson-results", "lesson-count", "lessons-api", "lessons-csv"]) {
        const fresh = page.getElementById(id);
        const current = document.getElementById(id);
        if (fresh && current) {
          current.replaceWith(document.importNode(fresh, true));
        }
      }
      history.replaceState(null, "", `/?${query}#lessons`);
    } catch (error) {
      count.textContent = `${count.dataset.emptyLabel} (${error.message})`;
    } finally {
      form.removeAttribute("aria-busy");
    }
  });
});
