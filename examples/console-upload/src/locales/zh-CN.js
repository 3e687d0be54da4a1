import enterprise from './zh-CN/enterprise';

export default { ...enterprise };
