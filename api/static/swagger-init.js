// Swagger UI for this API, from this process (no CDN, no inline script: see api/docs.py).
//
// "Try it out" calls the server that served this page. The spec's `servers` names the public
// URL (KB_PUBLIC_URL, http://127.0.0.1:8000 by default), which is another origin whenever the
// app runs on another port or behind another name; the page's Content-Security-Policy
// (connect-src 'self') would block that call anyway. So, as the spec is loaded, its servers are
// replaced by this page's own origin; the spec itself (/openapi.json, openapi.yaml) is unchanged.
function ThisServerPlugin() {
  return {
    statePlugins: {
      spec: {
        wrapActions: {
          updateJsonSpec: function (updateJsonSpec) {
            return function (spec) {
              var servers = [{ url: window.location.origin, description: "This server (the one serving these docs)" }];
              return updateJsonSpec(Object.assign({}, spec, { servers: servers }));
            };
          }
        }
      }
    }
  };
}

window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl, ThisServerPlugin],
    layout: "StandaloneLayout"
  });
});
