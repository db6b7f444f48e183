// Starts Swagger UI on /docs from the vendored bundle (no inline script, so the page's CSP can forbid it).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
