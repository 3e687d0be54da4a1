// webpack 4, configured as umi 3 does for this code: Babel for JSX, CSS for
// antd. Nothing for ramcheck: its modules are plain ES2018, the wasm and the
// worker are strings inside them.
module.exports = {
  entry: "./src/index.jsx",
  // index.html is beside dist/: chunks load from there.
  output: { publicPath: "dist/" },
  resolve: { extensions: [".js", ".jsx"] },
  module: {
    rules: [
      { test: /\.jsx$/, exclude: /node_modules/, use: { loader: "babel-loader", options: { presets: ["@babel/preset-react"] } } },
      { test: /\.css$/, use: ["style-loader", "css-loader"] },
    ],
  },
};
