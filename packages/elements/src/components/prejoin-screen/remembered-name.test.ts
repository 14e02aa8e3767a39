import { expect } from '@esm-bundle/chai';
import { rememberedName, rememberName } from './remembered-name.js';

describe('rememberedName', () => {
  afterEach(() => localStorage.removeItem('parley:name'));

  it('returns the name remembered last, and nothing before any was', () => {
    localStorage.removeItem('parley:name');
    expect(rememberedName()).to.equal('');
    rememberName('Ada Lovelace');
    expect(rememberedName()).to.equal('Ada Lovelace');
  });

  it('neither remembers nor throws where storage is blocked (a sandboxed iframe)', () => {
    const { getItem, setItem } = Storage.prototype;
    const blocked = () => {
      throw new DOMException('The document is sandboxed', 'SecurityError');
    };
    Storage.prototype.getItem = blocked;
    Storage.prototype.setItem = blocked;
    try {
      expect(() => rememberName('Ada')).not.to.throw();
      expect(rememberedName()).to.equal('');
    } finally {
      Storage.prototype.getItem = getItem;
      Storage.prototype.setItem = setItem;
    }
  });
});
