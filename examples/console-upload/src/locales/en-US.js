import enterprise from './en-US/enterprise';

export default { ...enterprise };
