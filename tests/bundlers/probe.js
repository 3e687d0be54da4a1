// The entry of the webpack 5 and Vite apps, copied into each by the test
// ("ramcheck" must resolve from the app's own node_modules): it checks the
// chosen file and writes what the test reads onto #result, the verdict last.
import { validatePackage } from "ramcheck";

const input = document.getElementById("file");
const result = document.getElementById("result");

input.addEventListener("change", async () => {
  const file = input.files[0];
  for (const key of Object.keys(result.dataset)) delete result.dataset[key];
  let progress = 0;
  const started = performance.now();
  let verdict;
  try {
    const report = await validatePackage(file, { onProgress: () => progress++ });
    result.dataset.codes = report.findings.map((f) => f.code).join(" ");
    verdict = report.verdict;
  } catch (e) {
    result.dataset.error = e.message;
    verdict = "error";
  }
  result.dataset.ms = Math.round(performance.now() - started);
  result.dataset.progress = progress;
  result.dataset.file = file.name;
  result.dataset.verdict = verdict;
  result.textContent = `${file.name}: ${verdict}`;
});
