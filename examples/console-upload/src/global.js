// antd 3's styles, as the console loads them for every page.
import 'antd/dist/antd.css';
